# The seed-000 effect in miniature: a pool about half in CMA; only its non-CMA part can be
# pinned long-term (io_uring fixed buffers = FOLL_LONGTERM, like SEV's region registration).
LAB_DESC="2 x 2 GiB, cma=512M: node 1's pool half in CMA; pinning more than its non-CMA part fails"
LAB_NODES="2 2"
LAB_CPUS=2
LAB_CMDLINE="cma=512M"
LAB_EXPECT="grow.n1.2M.Normal.cma pin.n1.capacity pin.n1.over_capacity_pins pin.n1.capacity_from_plan
            pin.n1.free_after restore.n1.2M.pages"
LAB_XFAIL=""

lab_guest() {
        lab grow 1 2M +300
        lab pin 1
        lab restore
}
