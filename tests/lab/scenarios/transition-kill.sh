# Safe transitions: a transition SIGKILLed mid-way is recovered (cmaplan_recover: pools back, journal gone).
LAB_DESC="2 x 2 GiB, cma=512M: a child grows node 1 by 600 MiB in 8-page steps, killed after its first step; recover"
LAB_NODES="2 2"
LAB_CPUS=2
LAB_CMDLINE="cma=512M"
LAB_EXPECT="trans.kill.midway trans.kill.journal_after_kill trans.kill.recover_outcome trans.kill.n1.2M.pages
            trans.kill.journal_after_recover"
LAB_XFAIL=""

lab_guest() {
        lab trans-kill 1 600 8
        lab restore
}
