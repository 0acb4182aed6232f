# Safe transitions: the CMA guard stops growth at the plan's budget of owned CMA (hugetlb_cma is owned);
# the same request without the guard takes more.
LAB_DESC="2 x 4 GiB, hugetlb_cma=1:1G: node 1 pool = non-CMA free + 400 MiB, CMA budget 128 MiB: guarded, unguarded, guarded under a 1200 MiB hold"
LAB_NODES="4 4"
LAB_CPUS=2
LAB_CMDLINE="hugetlb_cma=1:1G"
LAB_EXPECT="trans.guard.guarded.cma_taken trans.guard.unguarded.cma_taken trans.guard.unguarded_crosses_budget
            trans.guard.runtime.cma_taken"
LAB_XFAIL=""

lab_guest() {
        lab trans-guard 1 400 128 1200
        lab restore
}
