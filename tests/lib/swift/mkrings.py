#!/usr/bin/python3
# Builds the object, container and account rings in one interpreter (one swift-ring-builder call per
# ring and device would take ~10 s; this takes ~1 s).
# usage: mkrings.py SWIFT_DIR PART_POWER REPLICAS OBJECT_PORT,CONTAINER_PORT,ACCOUNT_PORT:DEVICE ...
# Every device is on 127.0.0.1 in a zone of its own, so each replica lands on another device.
import sys

from swift.common.ring import RingBuilder

swift_dir, part_power, replicas = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
devices = sys.argv[4:]
for index, name in enumerate(("object", "container", "account")):
    builder = RingBuilder(part_power, replicas, 0)
    for zone, spec in enumerate(devices, 1):
        ports, device = spec.split(":")
        builder.add_dev({"region": 1, "zone": zone, "ip": "127.0.0.1",
                         "port": int(ports.split(",")[index]), "device": device, "weight": 100})
    builder.rebalance()
    builder.save(f"{swift_dir}/{name}.builder")
    builder.get_ring().save(f"{swift_dir}/{name}.ring.gz")
