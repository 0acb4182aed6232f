# Free 1 GiB windows, not bytes, bound the boot pool (docs/bootplan.md "Windows").
#   cmaplan bootplan --pages1g 12 --host "ram=0:6G,1:6G;hole=0:3G-4G;kernel=6.12;reserve=256M"
#   says: does not fit, largest 7 = 2 on node 0 (0-3 GiB, 4-7 GiB: none below 4 GiB, the top one
#   holds the memmap) + 5 on node 1 (7-13 GiB). The bytes alone would allow 5 per node.
# The kernel gets the plain hugepages=12; the guest compares its pools with bootplan's largest.
LAB_DESC="2 x 6 GiB, cmaplan bootplan --pages1g 12 (does not fit, largest 2 + 5): hugepages=12 at boot"
LAB_NODES="6 6"
LAB_CPUS=2
LAB_CMDLINE="hugetlb_free_vmemmap=on default_hugepagesz=1G hugepagesz=1G hugepages=12"
LAB_EXPECT="snapshot.mismatches bootplan.desc.1G.pages bootplan.desc.n0.1G.pages bootplan.desc.n1.1G.pages bootplan.live.1G.pages bootplan.live.n0.1G.pages bootplan.live.n1.1G.pages"
LAB_XFAIL=""

lab_guest() {
        lab snapshot
        lab bootplan pages1g:12 "ram=0:6G,1:6G;hole=0:3G-4G;reserve=256M"
        lab restore
}
