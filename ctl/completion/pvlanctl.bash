# bash completion for pvlanctl: objects, verbs and keywords of the grammar
# (ctl/cli/grammar*.cc; `pvlanctl help` prints the same), and names asked of the running
# daemon at completion time: ports from `pvlanctl -j port show`, VLANs from
# `pvlanctl -j vlan show`, mirror sessions from `pvlanctl -j mirror show`. A `-s SOCK`
# already on the line is used for those queries.
# sysctl, capture, why and save take no verb: their words follow the object.
# Installed as share/bash-completion/completions/pvlanctl.

# The kernel's net.ipv4.conf knob names, in devconf order (daemon/ipv4/devconf_knobs.cc).
_pvlanctl_conf_knobs="forwarding mc_forwarding proxy_arp accept_redirects secure_redirects
send_redirects shared_media rp_filter accept_source_route bootp_relay log_martians tag
arp_filter medium_id disable_xfrm disable_policy force_igmp_version arp_announce arp_ignore
promote_secondaries arp_accept arp_notify accept_local src_valid_mark proxy_arp_pvlan
route_localnet igmpv2_unsolicited_report_interval igmpv3_unsolicited_report_interval
ignore_routes_with_linkdown drop_unicast_in_l2_multicast drop_gratuitous_arp bc_forwarding
arp_evict_nocarrier"

# _pvlanctl_query ARGS...: run pvlanctl against the socket given on the line, quietly.
_pvlanctl_query() {
  local cmd=${COMP_WORDS[0]:-pvlanctl}
  if [ -n "$_pvlanctl_sock" ]; then
    "$cmd" -s "$_pvlanctl_sock" "$@" 2>/dev/null
  else
    "$cmd" "$@" 2>/dev/null
  fi
}

# Port names; with an argument, only ports of that type (netdev, tap, internal, vxlan). The
# JSON keeps "name" then "type" first in every object (ordered by the wire attributes).
_pvlanctl_ports() {
  local json
  json=$(_pvlanctl_query -j port show) || return 0
  if [ -n "${1:-}" ]; then
    printf '%s\n' "$json" | grep -o "\"name\":\"[^\"]*\",\"type\":\"$1\"" |
      sed 's/^"name":"\([^"]*\)".*/\1/'
  else
    printf '%s\n' "$json" | grep -o '"name":"[^"]*"' | sed 's/^"name":"\(.*\)"$/\1/'
  fi
}

_pvlanctl_vlans() {
  _pvlanctl_query -j vlan show | grep -o '"vlan":[0-9]*' | sed 's/^"vlan"://'
}

# Mirror session names.
_pvlanctl_mirrors() {
  _pvlanctl_query -j mirror show | grep -o '"name":"[^"]*"' | sed 's/^"name":"\(.*\)"$/\1/'
}

# _pvlanctl_mirror_words PREV KEYS: after a key that takes a value, its values (none to
# offer for numbers, addresses and ranges); otherwise the keys.
_pvlanctl_mirror_words() {
  case $1 in
    source) _pvlanctl_ports ;;
    direction) echo "ingress egress both" ;;
    protocol) echo "tcp udp icmp icmpv6 all" ;;
    target|dstport|vni|length|number|src|dst|sport|dport) ;;
    *) echo "$2" ;;
  esac
}

# sysctl keys: conf for all, default and every internal port; neigh per internal port;
# the martian log's budget.
_pvlanctl_sysctl_keys() {
  local dev knob
  local ports
  ports=$(_pvlanctl_ports internal)
  for dev in all default $ports; do
    for knob in $_pvlanctl_conf_knobs; do
      printf 'net.ipv4.conf.%s.%s\n' "$dev" "$knob"
    done
  done
  for dev in $ports; do
    printf 'net.ipv4.neigh.%s.proxy_delay\nnet.ipv4.neigh.%s.proxy_qlen\n' "$dev" "$dev"
  done
  printf 'net.core.message_cost\nnet.core.message_burst\n'
}

# _pvlanctl_port_pairs PREV N: the settings of `port set` and `port add ... type T`, KEY
# VALUE pairs; N counts the words after the port (or type), so odd means a value is due.
_pvlanctl_port_pairs() {
  local prev=$1 nargs=$2
  local bools="isolated learning flood mcast_flood bcast_flood hairpin mac_learning psf_liberal"
  if (( nargs % 2 == 1 )); then
    case $prev in
      mode) echo "access trunk" ;;
      allowed) echo "all none" ;;
      native) echo "none" ;;
      source_guard) echo "off strict loose" ;;
      mac_changes|forged_transmits|promiscuous) echo "accept reject" ;;
      mac_limit_policy) echo "allow drop" ;;
      psf) echo "auto enabled disabled" ;;
      role) echo "bare-metal instance gateway" ;;
      initial_mac) echo "auto" ;;
      vlan) _pvlanctl_vlans ;;
      *) [[ " $bools " == *" $prev "* ]] && echo "on off" ;;
    esac
  else
    echo "vlan mode allowed native $bools source_guard mac_changes forged_transmits promiscuous mac_limit mac_limit_policy mac_aging initial_mac psf role psf_max_entries"
  fi
}

# Objects that take no verb.
_pvlanctl_direct() { case $1 in sysctl|capture|why|save) return 0 ;; esac; return 1; }

_pvlanctl() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  local prev=""
  (( COMP_CWORD > 0 )) && prev=${COMP_WORDS[COMP_CWORD - 1]}
  COMPREPLY=()
  _pvlanctl_sock=""

  # Options, then OBJECT, VERB and the verb's arguments.
  local i=1 w object="" verb="" batch=0
  local -a args=()
  while (( i < COMP_CWORD )); do
    w=${COMP_WORDS[i]}
    if [ -z "$object" ]; then
      case $w in
        -s) _pvlanctl_sock=${COMP_WORDS[i + 1]:-}; ((i++)) ;;
        -b) batch=1; ((i++)) ;;
        -*) ;;
        *) object=$w ;;
      esac
    elif [ -z "$verb" ] && ! _pvlanctl_direct "$object"; then
      verb=$w
    else
      args+=("$w")
    fi
    ((i++))
  done

  local words=""
  case $prev in
    -s|-b) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
  esac
  if [ -z "$object" ]; then
    if (( batch )); then
      words="-force -j -p -s"
    elif [[ $cur == -* ]]; then
      words="-s -j -p -b -force"
    else
      words="port vlan fdb stats bridge sysctl route neigh conntrack monitor capture why save mirror help"
    fi
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    return 0
  fi

  local n=${#args[@]}
  if [ -z "$verb" ] && ! _pvlanctl_direct "$object"; then
    case $object in
      port) words="add del set show help" ;;
      vlan) words="add del show help" ;;
      fdb) words="show add del flush help" ;;
      stats) words="show clear help" ;;
      bridge) words="set show help" ;;
      route) words="get help" ;;
      neigh) words="show help" ;;
      conntrack) words="show flush help" ;;
      monitor) words="drops show help" ;;
      mirror) words="add del rule show help" ;;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    return 0
  fi

  case $object/$verb in
    port/add)
      if (( n == 0 )); then
        words=$(ls /sys/class/net 2>/dev/null)
      elif (( n == 1 )); then
        words="type"
      elif (( n == 2 )); then
        words="tap internal netdev vxlan"
      else
        words=$(_pvlanctl_port_pairs "$prev" $((n - 3)))
        # A VXLAN port's own keys come before the common ones.
        [ "${args[2]}" = vxlan ] && (( (n - 3) % 2 == 0 )) && words="vni remote local dstport $words"
      fi ;;
    port/del|port/show|stats/show|stats/clear|conntrack/show|conntrack/flush)
      (( n == 0 )) && words=$(_pvlanctl_ports) ;;
    port/set)
      if (( n == 0 )); then
        words=$(_pvlanctl_ports)
      else
        words=$(_pvlanctl_port_pairs "$prev" $((n - 1)))
      fi ;;
    vlan/add)
      case $n/$prev in
        1/*) words="pvlan" ;;
        2/pvlan) words="primary isolated community" ;;
        3/isolated|3/community) words="primary" ;;
      esac ;;
    vlan/del|vlan/show)
      (( n == 0 )) && words=$(_pvlanctl_vlans) ;;
    fdb/show|fdb/flush|fdb/add|fdb/del)
      case $prev in
        port) words=$(_pvlanctl_ports) ;;
        vlan) words=$(_pvlanctl_vlans) ;;
        *)
          case $verb in
            show) words="port vlan" ;;
            flush) words="port vlan dynamic" ;;
            add) (( n >= 1 )) && words="port vlan" ;;
            del) (( n >= 1 )) && words="vlan" ;;
          esac ;;
      esac ;;
    bridge/set)
      case $prev in
        ageing_time|psf_max_total) ;;
        *)
          local a
          words="ageing_time psf_max_total"
          for a in "${args[@]}"; do words=${words//$a/}; done ;;
      esac ;;
    save/*)
      # save [FILE]
      if (( n == 0 )); then
        COMPREPLY=($(compgen -f -- "$cur"))
        return 0
      fi ;;
    neigh/show)
      (( n == 0 )) && words="proxy" ;;
    monitor/drops)
      (( n == 0 )) && words=$(_pvlanctl_ports) ;;
    mirror/add)
      (( n >= 1 )) && words=$(_pvlanctl_mirror_words "$prev" "source direction target dstport vni length number") ;;
    mirror/del|mirror/show)
      (( n == 0 )) && words=$(_pvlanctl_mirrors) ;;
    mirror/rule)
      # mirror rule add|del NAME KEY ...
      if (( n == 0 )); then
        words="add del"
      elif (( n == 1 )); then
        words=$(_pvlanctl_mirrors)
      elif [ "${args[0]}" = add ]; then
        words=$(_pvlanctl_mirror_words "$prev" "number accept reject direction protocol src dst sport dport")
      else
        words=$(_pvlanctl_mirror_words "$prev" "number")
      fi ;;
    capture/*)
      # capture PORT|drops -w FILE|- [FILTER]
      if (( n == 0 )); then
        words="drops $(_pvlanctl_ports)"
      elif (( n == 1 )); then
        words="-w"
      elif [ "$prev" = -w ]; then
        COMPREPLY=($(compgen -f -- "$cur") $(compgen -W "-" -- "$cur"))
        return 0
      fi ;;
    why/*)
      # why [PORT] [-n N]
      if [ "$prev" != -n ]; then
        local a has_n=0 has_port=0 skip=0
        for a in "${args[@]}"; do
          if (( skip )); then skip=0; continue; fi
          if [ "$a" = -n ]; then has_n=1; skip=1; else has_port=1; fi
        done
        (( has_n )) || words="-n"
        (( has_port )) || words="$words $(_pvlanctl_ports)"
      fi ;;
    sysctl/*)
      local write=0 a
      for a in "${args[@]}"; do [ "$a" = -w ] && write=1; done
      if [[ $cur == -* ]]; then
        words="-w -n"
      elif (( write )); then
        # A setting is KEY=VALUE: offer KEY= and let the value be typed.
        COMPREPLY=($(compgen -W "$(_pvlanctl_sysctl_keys)" -S = -- "$cur"))
        compopt -o nospace 2>/dev/null
        return 0
      else
        words=$(_pvlanctl_sysctl_keys)
      fi ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  return 0
}

complete -F _pvlanctl pvlanctl
