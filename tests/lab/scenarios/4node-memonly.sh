# Four nodes, the last one memory-only (no CPU); a global hugetlb_cma spread over the nodes.
LAB_DESC="4 x 2 GiB, node 3 memory-only, cma=256M hugetlb_cma=4G: pools on the CPU-less node"
LAB_NODES="2 2 2 2"
LAB_CPUS=3
LAB_CMDLINE="cma=256M hugetlb_cma=4G"
LAB_EXPECT="snapshot.mismatches grow.n3.2M.pages grow.n3.2M.Normal.cma grow.n1.2M.pages restore.n3.2M.pages"
LAB_XFAIL=""

lab_guest() {
        lab snapshot
        lab grow 3 2M fill+128
        lab grow 1 2M +200
        lab restore
}
