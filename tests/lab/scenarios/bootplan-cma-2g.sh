# A hugetlb_cma size node 0 cannot place on any kernel (docs/bootplan.md):
#   cmaplan bootplan --cma-per-node 2G --host "ram=0:4G,1:4G;hole=0:3G-4G;kernel=6.12;reserve=256M"
#   gives hugetlb_cma=4G and says node 0's area is lost ("hugetlb_cma: reservation failed: err -12,
#   node 0"): below 4 GiB the largest free stretch is ~1.9 GiB (kernel image to initrd), above it
#   only 4-5 GiB less NODE_DATA. Node 1 gets its 2 GiB.
LAB_DESC="2 x 4 GiB, cmaplan bootplan --cma-per-node 2G: hugetlb_cma=4G (node 0 lost on both kernels)"
LAB_NODES="4 4"
LAB_CPUS=2
LAB_CMDLINE="hugetlb_free_vmemmap=on default_hugepagesz=1G hugetlb_cma=4G"
LAB_EXPECT="snapshot.mismatches bootplan.desc.n0.cma bootplan.desc.n1.cma bootplan.live.n0.cma bootplan.live.n1.cma"
LAB_XFAIL=""

lab_guest() {
        lab snapshot
        lab bootplan cma:2048 "ram=0:4G,1:4G;hole=0:3G-4G;reserve=256M"
        lab restore
}
