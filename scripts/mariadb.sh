#!/bin/sh
# The MariaDB the data-source tests use: 127.0.0.1:3306, user root without password
# (jupyterlab_code_interpreter/tests/mariadb.py creates and drops its own database and user).
# Already reachable: nothing to do. Run as root: installs Debian's mariadb-server if missing,
# starts it and lets root in over TCP from 127.0.0.1. Otherwise says what to run.
set -e

reachable() {
  mariadb --protocol=tcp -h 127.0.0.1 -P 3306 -u root -e "SELECT 1" >/dev/null 2>&1
}

reachable && exit 0

how_to() {
  echo "The data-source tests need MariaDB on 127.0.0.1:3306 (root, no password). Run as root:"
  echo "  apt-get install -y mariadb-server && service mariadb start"
  echo "  mariadb -e \"CREATE USER IF NOT EXISTS root@'127.0.0.1'; GRANT ALL ON *.* TO root@'127.0.0.1' WITH GRANT OPTION\""
  exit 1
}

[ "$(id -u)" = 0 ] || how_to
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] \
  || DEBIAN_FRONTEND=noninteractive apt-get install -y mariadb-server >/dev/null || how_to
service mariadb start >/dev/null 2>&1 || (mysqld_safe >/dev/null 2>&1 &)
for _ in $(seq 1 30); do
  mariadb -u root -e "SELECT 1" >/dev/null 2>&1 && break
  sleep 1
done
mariadb -u root -e "CREATE USER IF NOT EXISTS root@'127.0.0.1'; GRANT ALL ON *.* TO root@'127.0.0.1' WITH GRANT OPTION" \
  || how_to
reachable || how_to
