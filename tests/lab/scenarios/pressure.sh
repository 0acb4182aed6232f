# Memory pressure: a process holds most of node 1, the pool can only partly grow.
LAB_DESC="2 x 2 GiB, cma=512M: a process holds all but 400 MiB of node 1; pool asks for 800 MiB"
LAB_NODES="2 2"
LAB_CPUS=2
LAB_CMDLINE="cma=512M"
LAB_EXPECT="grow.n1.2M.pages grow.n1.2M.Normal.taken restore.n1.2M.pages"
LAB_XFAIL=""

lab_guest() {
        lab hold 1 leave:400
        lab grow 1 2M +400
        lab release
        lab restore
}
