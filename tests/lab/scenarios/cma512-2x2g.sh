# Scenario file (tests/lab/README.md "Adding a scenario"): sourced by lab.sh (bash) on the host
# for the LAB_* variables and by the guest's /init (busybox sh) for lab_guest().
LAB_DESC="2 x 2 GiB, cma=512M (lands at 4 GiB: node 1's Normal zone); node 1's pool grown past its non-CMA memory"
LAB_NODES="2 2"                 # GiB per NUMA node
LAB_CPUS=2                      # vCPUs; node i gets CPU i, nodes beyond LAB_CPUS are memory-only
LAB_CMDLINE="cma=512M"          # appended to the guest kernel command line
LAB_EXPECT="snapshot.mismatches grow.n0.2M.pages grow.n1.2M.pages grow.n1.2M.Normal.cma
            grow.n1.2M.Normal.free_cma grow.n1.2M.area.reserved restore.n1.2M.pages restore.n1.Normal.free_cma"
LAB_XFAIL=""                    # lines "quantity-glob: reason" for known, explained misses

lab_guest() {
        lab snapshot
        lab grow 0 2M +64
        lab grow 1 2M fill+256
        lab restore
}
