# Memory hot-add through qemu's monitor: the guest asks lab.sh for a DIMM (LABREQ line), the
# library's monitor sees the new blocks (add, then online), snapshots go stale, a plan needs the new memory.
LAB_DESC="2 x 2 GiB + 1 GiB pc-dimm hot-added on node 1 (QMP): monitor events, -ESTALE, new snapshot, plan"
LAB_NODES="2 2"
LAB_CPUS=2
LAB_CMDLINE=""
LAB_HOTPLUG_GB=2                # maxmem = 4 + 2 GiB, 4 DIMM slots, QMP monitor for the request
LAB_MONITOR=1                   # cmaplan-lab-udev: cmaplan_monitor needs libudev
LAB_EXPECT="host.hotadd.0.object_add host.hotadd.0.device_add host.hotadd.0.acpi_ost_status
            hotadd.monitor_new hotadd.validate_fresh
            hotadd.add.memory_add_events hotadd.add.memory_add_on_node hotadd.add.added_mib
            hotadd.add.node_add_events hotadd.add.validate hotadd.add.blocks hotadd.add.new_blocks_offline
            hotadd.online.memory_online_events hotadd.online.validate hotadd.online.blocks
            hotadd.online.n1.online_blocks hotadd.online.n1.mem_total_grew_mib hotadd.online.mem_total_grew_mib
            hotadd.online.n1.present_grew_mib hotadd.plan.before.n1.rc hotadd.plan.online.n1.rc
            hotadd.plan.online.n1.reached snapshot.mismatches grow.n1.2M.pages restore.n1.2M.pages"
LAB_XFAIL=""

# The plan (default flags: every zone stays above its high watermark) of 800 x 2 MiB on node 1 is
# short before the add (~470 fit) and met after (~960). The grow of 1200 x 2 MiB (2400 MiB) is more
# than node 1 had free before the add (~1.9 GiB).
lab_guest() {
        lab snapshot
        lab hotadd 1 1G 800
        lab snapshot
        lab grow 1 2M +1200
        lab restore
}
