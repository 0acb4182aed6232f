# Hotplug awareness: offline / online a memory block (uevents, snapshot_validate -ESTALE, new snapshot);
# a block overlapping CMA refuses to go offline. Hot-add through the qemu monitor: hotplug-add.sh.
LAB_DESC="2 x 2 GiB, cma=512M (node 1): offline + online_movable a node-0 block; offline a CMA block (refused)"
LAB_NODES="2 2"
LAB_CPUS=2
LAB_MONITOR=1                   # cmaplan-lab-udev: the events through cmaplan_monitor
LAB_CMDLINE="cma=512M"
LAB_EXPECT="hotplug.offline.uevent* hotplug.offline.validate hotplug.offline.block_state
            hotplug.online.uevent* hotplug.online.validate hotplug.online.block_state hotplug.cma_block_offline_refused"
LAB_XFAIL=""

lab_guest() {
        lab snapshot
        lab hotplug
        lab snapshot
        lab restore
}
