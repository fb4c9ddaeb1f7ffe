#!/usr/bin/env bash
# Debian packages the resolver benchmark needs: wrk (load generator), nginx (static baseline).
# Usage: sudo bash benchmarks/install_tools.sh   (Makefile: `make bench-tools`)
set -euo pipefail
if command -v wrk >/dev/null && { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; }; then
  echo "wrk and nginx already installed"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends wrk nginx-light || apt-get install -y -qq wrk nginx
# The benchmark starts its own nginx on a free loopback port; the packaged service is not needed.
if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
  systemctl disable --now nginx || true
fi
