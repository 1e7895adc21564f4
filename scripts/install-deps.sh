#!/usr/bin/env bash
# Installs everything tcpflow needs to build and test on Debian 12 (bookworm).
# Every dependency is listed here once; README and .ci/run both call this script.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends \
    build-essential g++ autoconf automake libtool pkg-config ca-certificates \
    libpcap-dev zlib1g-dev libxml2-dev libcairo2-dev nettle-dev \
    libhttp-parser-dev libbrotli-dev libzstd-dev libmaxminddb-dev \
    poppler-utils brotli zstd \
    libcmocka-dev python3 libxml2-utils file procps util-linux coreutils \
    tcpflow
