# A boot-time target that `cmaplan bootplan` says does not fit (docs/bootplan.md).
#   cmaplan bootplan --pages1g 8 --host "ram=0:4G,1:4G;hole=0:3G-4G;kernel=6.12;reserve=256M"
#   (same for kernel=6.1): verdict "does not fit", largest 3 x 1 GiB: node 0 has no free 1 GiB
#   window, node 1 three (bootplan-fits.sh says why).
# The kernel is given what a user would write anyway, the plain hugepages=8: it stops at the
# free windows ("HugeTLB: allocating 8 of page size 1.00 GiB failed. Only allocated N"), whatever
# node each attempt was for (memblock falls back to any node). The guest compares the pools with
# bootplan's largest, per node and in total, from the description and from its own snapshot.
LAB_DESC="2 x 4 GiB, cmaplan bootplan --pages1g 8 (does not fit, largest 3): hugepages=8 at boot"
LAB_NODES="4 4"
LAB_CPUS=2
LAB_CMDLINE="hugetlb_free_vmemmap=on default_hugepagesz=1G hugepagesz=1G hugepages=8"
LAB_EXPECT="snapshot.mismatches bootplan.desc.1G.pages bootplan.desc.n0.1G.pages bootplan.desc.n1.1G.pages bootplan.live.1G.pages bootplan.live.n0.1G.pages bootplan.live.n1.1G.pages"
LAB_XFAIL=""

lab_guest() {
        lab snapshot
        lab bootplan pages1g:8 "ram=0:4G,1:4G;hole=0:3G-4G;reserve=256M"
        lab restore
}
