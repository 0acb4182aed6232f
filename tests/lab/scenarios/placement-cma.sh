# The library's placement check on a real kernel with CMA (cmaplan_placement_new: mbind, fault,
# move_pages, pagemap and the snapshot's CMA ranges): node 1's 2 MiB pool grown past its
# non-CMA memory (some pages in the cma=512M area at 4 GiB), then every pool page mapped, bound
# to node 1: all must land there, and the pages the check puts in CMA must be the pool pages the
# lab's own kpageflags scan finds inside the area.
LAB_DESC="2 x 2 GiB, cma=512M on node 1: cmaplan_placement over node 1's whole pool vs kpageflags"
LAB_NODES="2 2"
LAB_CPUS=2
LAB_CMDLINE="cma=512M"
LAB_MONITOR=1                   # cmaplan-lab-udev: placement needs libnuma
LAB_EXPECT="snapshot.mismatches grow.n1.2M.pages grow.n1.2M.Normal.cma placement.n1.2M.on_node
            placement.n1.2M.has_pfn placement.n1.2M.has_cma_ranges placement.n1.2M.in_cma"
LAB_XFAIL=""

lab_guest() {
        lab snapshot
        lab grow 1 2M fill+256
        lab placement 1 2M
        lab restore
}
