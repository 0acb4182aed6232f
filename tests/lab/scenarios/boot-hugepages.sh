# Boot-time pools from the command line: node form for 2 MiB and 1 GiB pages (hugepagesz=1G).
LAB_DESC="2 x 4 GiB, cma=512M (node 0), hugepages=0:64,1:64 (2M) and hugepages=1:1 (1G) at boot"
LAB_NODES="4 4"
LAB_CPUS=2
LAB_CMDLINE="hugepagesz=1G hugepages=1:1 hugepagesz=2M hugepages=0:64,1:64 cma=512M"
LAB_EXPECT="snapshot.mismatches boot.n0.2M.pages boot.n1.2M.pages boot.n1.1G.pages boot.n1.1G.in_cma
            boot.n0.2M.Normal.cma"
LAB_XFAIL=""

lab_guest() {
        lab snapshot
        lab boot
        lab restore
}
