# Memory hot-add through qemu's monitor: the guest asks lab.sh for a DIMM (LABREQ line), the
# library's monitor sees the new blocks (add, then online) and a new node, snapshots go stale,
# a plan and a pool growth need the new memory.
LAB_DESC="2 x 2 GiB + empty node 2; DIMMs hot-added (QMP): 1 GiB on node 1, 512 MiB on node 2 (node add)"
LAB_NODES="2 2 0"               # node 2: no memory at boot, offline until its DIMM arrives
LAB_CPUS=2
LAB_CMDLINE=""
LAB_HOTPLUG_GB=2                # maxmem = 4 + 2 GiB, 4 DIMM slots, QMP monitor for the requests
LAB_MONITOR=1                   # cmaplan-lab-udev: cmaplan_monitor needs libudev
LAB_EXPECT="host.hotadd.0.object_add host.hotadd.0.device_add host.hotadd.0.acpi_ost_status
            host.hotadd.1.object_add host.hotadd.1.device_add host.hotadd.1.acpi_ost_status
            hotadd.n1.monitor_new hotadd.n1.validate_fresh
            hotadd.n1.add.memory_add_events hotadd.n1.add.memory_add_on_node hotadd.n1.add.added_mib
            hotadd.n1.add.node_add_events hotadd.n1.add.validate hotadd.n1.add.blocks
            hotadd.n1.add.new_blocks_offline hotadd.n1.online.memory_online_events hotadd.n1.online.validate
            hotadd.n1.online.blocks hotadd.n1.online.online_blocks hotadd.n1.online.mem_total_grew_mib
            hotadd.n1.online.host_mem_total_grew_mib hotadd.n1.online.present_grew_mib
            hotadd.n1.plan.before.rc hotadd.n1.plan.online.rc hotadd.n1.plan.online.reached
            hotadd.n2.add.memory_add_events hotadd.n2.add.node_add_events hotadd.n2.add.validate
            hotadd.n2.online.memory_online_events hotadd.n2.online.validate hotadd.n2.online.mem_total_grew_mib
            snapshot.mismatches grow.n1.2M.pages restore.n1.2M.pages"
LAB_XFAIL=""

# The plan (default flags: every zone stays above its high watermark) of 800 x 2 MiB on node 1 is
# short before the add (~470 fit) and met after (~960). The grow of 1200 x 2 MiB (2400 MiB) is more
# than node 1 had free before the add (~1.9 GiB).
lab_guest() {
        lab snapshot
        lab hotadd 1 1G 800
        lab hotadd 2 512M
        lab snapshot
        lab grow 1 2M +1200
        lab restore
}
