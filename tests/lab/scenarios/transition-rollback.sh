# Safe transitions: pressure arrives after the plan; the transition cannot reach its target and rolls back.
LAB_DESC="2 x 2 GiB, cma=512M: plan +800 MiB on node 1, then a process holds all but 300 MiB; apply rolls back"
LAB_NODES="2 2"
LAB_CPUS=2
LAB_CMDLINE="cma=512M"
LAB_EXPECT="trans.rollback.guarded.outcome trans.rollback.unguarded.outcome trans.rollback.*.n1.2M.pages
            trans.rollback.*.journal_left"
LAB_XFAIL=""

lab_guest() {
        lab trans-rollback 1 leave:300 800
        lab restore
}
