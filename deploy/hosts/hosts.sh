#!/usr/bin/env bash
# Several hosts on one machine: a network namespace per host on a bridge of our own, for the
# multi-host drills (test/multi-host.test.ts) and for trying a multi-host deployment by hand.
#   deploy/hosts/hosts.sh up      create the bridge and the hosts (idempotent: recreated from scratch)
#   deploy/hosts/hosts.sh down    remove them
#   deploy/hosts/hosts.sh list    host name and address, one per line
#   deploy/hosts/hosts.sh gateway this machine's own address on the bridge (webhook receivers listen there)
# Then: ip netns exec stt-api-1 env REDIS_URL=redis://10.203.0.41:6379 … node packages/api-server/dist/main.js
# Addresses come from 10.203.0.0/24, used only here; no namespace has a default route, so nothing in
# them can reach beyond the bridge. The root namespace is 10.203.0.1 on the bridge: this machine's
# own tests reach the hosts through it and never through the default route.
set -euo pipefail

BRIDGE=${STT_HOSTS_BRIDGE:-stt-hosts0}
PREFIX=${STT_HOSTS_PREFIX:-stt-}
SUBNET=10.203.0
HOSTS=(lb:10 api-1:11 api-2:12 asr-1:21 asr-2:22 proxy:31 redis:41 prom:51)

down() {
  for entry in "${HOSTS[@]}"; do
    name=${entry%%:*}
    ip netns pids "$PREFIX$name" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$PREFIX$name" 2>/dev/null || true
    ip link del "veth-$name" 2>/dev/null || true
  done
  ip link del "$BRIDGE" 2>/dev/null || true
  forward_rule -D 2>/dev/null || true
}

# With br_netfilter loaded (Docker loads it) bridged frames pass iptables' FORWARD chain, whose
# policy Docker sets to DROP: host-to-host traffic on our bridge needs a rule of its own.
forward_rule() {
  command -v iptables >/dev/null || return 0
  iptables "$1" FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT
}

up() {
  down
  ip link add name "$BRIDGE" type bridge
  ip addr add "$SUBNET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  forward_rule -I
  for entry in "${HOSTS[@]}"; do
    name=${entry%%:*} octet=${entry##*:}
    ns=$PREFIX$name
    ip netns add "$ns"
    # veth-<host> stays on the bridge; its peer becomes the host's eth0.
    ip link add "veth-$name" type veth peer name eth0 netns "$ns"
    ip link set "veth-$name" master "$BRIDGE" up
    ip -n "$ns" addr add "$SUBNET.$octet/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
  done
  # Traffic between the hosts stays on the bridge: refuse it a route out, whatever the firewall does.
  for entry in "${HOSTS[@]}"; do
    route=$(ip route get "$SUBNET.${entry##*:}")
    case $route in
      *"dev $BRIDGE"*) ;;
      *) echo "hosts: $SUBNET.${entry##*:} is not routed through $BRIDGE: $route" >&2; down; exit 1 ;;
    esac
  done
}

list() {
  for entry in "${HOSTS[@]}"; do echo "${entry%%:*} $SUBNET.${entry##*:}"; done
}

case ${1:-} in
  up) up ;;
  down) down ;;
  list) list ;;
  gateway) echo "$SUBNET.1" ;;
  *) echo "usage: $0 up|down|list|gateway" >&2; exit 2 ;;
esac
