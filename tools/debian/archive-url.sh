# Sourced by the scripts that debootstrap Debian trees (tools/synapse, tools/containers).
# archive_url prints the Debian archive URL from the host's apt configuration, so that no registry host
# is written into the repo: the URIs of the first non-security deb822 stanza, else of /etc/apt/sources.list.
archive_url() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '
      /^[[:space:]]*$/ { if (uri != "" && suites !~ /security/) { print uri; exit } uri = ""; suites = ""; next }
      /^URIs:/ { uri = $2 }
      /^Suites:/ { suites = $0 }
      END { if (uri != "" && suites !~ /security/) print uri }
    ' "$f" | head -n 1
  done | head -n 1
  if [ -f /etc/apt/sources.list ]; then
    awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list
  fi
}
