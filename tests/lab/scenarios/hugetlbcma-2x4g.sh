# Per-node hugetlb_cma: 2 MiB pool pages fill the hugetlb CMA area like any CMA; 1 GiB pages
# come from it through cma_alloc.
LAB_DESC="2 x 4 GiB, hugetlb_cma=0:1G,1:2G: 2 MiB pool into hugetlb1, then 1 GiB pages from hugetlb0/1"
LAB_NODES="4 4"
LAB_CPUS=2
LAB_CMDLINE="hugetlb_cma=0:1G,1:2G"
LAB_EXPECT="snapshot.mismatches grow.n1.2M.pages grow.n1.2M.Normal.cma grow.n1.2M.area.hugetlb1
            grow.n1.1G.pages grow.n1.1G.hugetlb_cma grow.n0.1G.pages restore.n1.1G.pages"
LAB_XFAIL=""

lab_guest() {
        lab snapshot
        lab grow 1 2M +600
        lab grow 1 1G +1
        lab grow 0 1G +1
        lab restore
}
