#!/usr/bin/env bash
# Runs a command (by default `npm start`) with a working keychain on a Linux machine that has no
# desktop session (SSH, a server, a container): starts a D-Bus session where there is none, and
# GNOME Keyring's Secret Service with your own login keyring unlocked.
#
#   bash scripts/with-keyring.sh                 # npm start
#   bash scripts/with-keyring.sh npm run postroom -- admin-key --data-dir DIR
#
# The keyring is the usual one, ~/.local/share/keyrings/login.keyring ($XDG_DATA_HOME/keyrings), so
# what Postroom keeps there (keys, sign-ins) is still there on the next run. Its password is asked
# on the terminal (the first run creates the keyring with the password you choose), or read from
# POSTROOM_KEYRING_PASSWORD where nobody types (a service, CI). POSTROOM_KEYRING_HOME puts the
# keyring's folder elsewhere (the tests use a temporary one).
#
# Needs: gnome-keyring and dbus (Debian: sudo apt-get install gnome-keyring dbus-user-session).
set -euo pipefail

fail() {
  printf '%s\n' "$1" >&2
  [ -n "${2:-}" ] && printf 'What to do: %s\n' "$2" >&2
  exit 1
}

command -v gnome-keyring-daemon >/dev/null ||
  fail 'GNOME Keyring is not installed, so there is no keychain to start.' \
    'sudo apt-get install gnome-keyring dbus-user-session (or your distribution'"'"'s packages), then run this again.'

# Without a session bus, start one for the command's lifetime (the keyring daemon ends with it).
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  command -v dbus-run-session >/dev/null ||
    fail 'D-Bus is not installed, so no keychain can be reached.' \
      'sudo apt-get install dbus-user-session (or dbus), then run this again.'
  exec dbus-run-session -- bash "$0" "$@"
fi

keyring_home="${POSTROOM_KEYRING_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}}"
keyring_file="$keyring_home/keyrings/login.keyring"
mkdir -p "$keyring_home"

password="${POSTROOM_KEYRING_PASSWORD-}"
if [ -z "${POSTROOM_KEYRING_PASSWORD+set}" ]; then
  [ -r /dev/tty ] ||
    fail 'The keyring password is needed, and there is no terminal to ask it on.' \
      'Set POSTROOM_KEYRING_PASSWORD for unattended runs (a service, CI), or run this in a terminal.'
  if [ -f "$keyring_file" ]; then
    read -rsp "Password of your keyring ($keyring_file): " password </dev/tty
    echo >/dev/tty
  else
    echo "Postroom keeps its keys and sign-ins in a keyring; this creates yours at $keyring_file." >/dev/tty
    read -rsp 'Choose its password: ' password </dev/tty
    echo >/dev/tty
    read -rsp 'Type it again: ' again </dev/tty
    echo >/dev/tty
    [ "$password" = "$again" ] || fail 'The two passwords differ; nothing was created.' 'Run this again.'
  fi
fi

# --unlock reads the password from stdin (and creates the keyring if it does not exist yet). Only
# the daemon sees XDG_DATA_HOME: the command keeps the person's own, so Postroom's data folder stays put.
eval "$(printf '%s' "$password" | XDG_DATA_HOME="$keyring_home" gnome-keyring-daemon --unlock --components=secrets |
  sed -n 's/^\(GNOME_KEYRING_[A-Z_]*\)=\(.*\)$/export \1="\2"/p')"
unset password again POSTROOM_KEYRING_PASSWORD

# A wrong password leaves the keyring locked without a word: say so now, not when the command fails.
probe='
  const keytar = require("keytar");
  const account = "probe/" + process.pid;
  keytar.setPassword("Postroom-keyring-probe", account, "ok")
    .then(() => keytar.deletePassword("Postroom-keyring-probe", account))
    .catch(() => process.exit(1));
'
# A daemon that has just started can still be setting the keyring up: the first call then dies with a
# signal (libsecret crashes, seen under load) instead of being refused. That is tried again, a
# second apart; a refusal (exit 1) is the password.
for attempt in 1 2 3 4 5; do
  status=0
  (cd "$(dirname "$0")/.." && node -e "$probe") >/dev/null 2>&1 || status=$?
  [ "$status" -gt 128 ] || break
  sleep 1
done
[ "$status" -eq 0 ] || [ "$status" -gt 128 ] ||
  fail "The keyring at $keyring_file did not unlock with that password." \
    'Run this again with the password the keyring was created with. (To start over, move that file aside: the keys and sign-ins Postroom kept in it go with it.)'
[ "$status" -eq 0 ] ||
  fail "GNOME Keyring started but did not answer (it crashed $attempt times in a row)." \
    'Run this again; if it goes on, run gnome-keyring-daemon --replace in a terminal to see why.'

if [ "$#" -eq 0 ]; then set -- npm start; fi
exec "$@"
