# A transition that the host changes under: while node 1's 2 MiB pool grows by 600 MiB in 32 MiB
# steps, the guest asks for a 512 MiB DIMM on node 1 (LABREQ, qemu's QMP monitor) in the first
# progress callback and waits for the blocks' add events. The next step must find the memory
# blocks changed since the snapshot the plan was made from (CMAPLAN_STOP_HOST_CHANGED) and the
# transition roll back to where it started (docs/transition.md).
LAB_DESC="2 x 2 GiB; a 512 MiB DIMM hot-added on node 1 during a pool growth: stop (host-changed), roll back"
LAB_NODES="2 2"
LAB_CPUS=2
LAB_CMDLINE=""
LAB_HOTPLUG_GB=1                # maxmem = 4 + 1 GiB, QMP monitor for the request
LAB_MONITOR=1                   # cmaplan-lab-udev: the guest waits for the add events
LAB_EXPECT="host.hotadd.0.object_add host.hotadd.0.device_add host.hotadd.0.acpi_ost_status
            snapshot.mismatches trans.hotadd.n1.memory_add_events trans.hotadd.n1.stop_reason
            trans.hotadd.n1.outcome trans.hotadd.n1.pool_after"
LAB_XFAIL=""

lab_guest() {
        lab snapshot
        lab trans-hotadd 1 512M 600
        lab restore
}
