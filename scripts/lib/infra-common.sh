# Shared by scripts/infra and scripts/kafka-cluster (sourced, not run): logging, waiting, packages, and the
# Apache Kafka jars from Maven Central. The sourcing script sets ROOT and LOG_TAG first.
CACHE="${LIVE_GIFT_CACHE:-$HOME/.cache/live-gift}"
KAFKA_VERSION=3.9.1

log() { printf '[%s] %s\n' "$LOG_TAG" "$*"; }
die() { printf '[%s] ERROR: %s\n' "$LOG_TAG" "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for() { # description timeout_seconds command...
  local what=$1 timeout=$2; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then return 1; fi
    sleep 0.5
  done
}

apt_updated=0
apt_install() { # package...
  if [ "$(id -u)" != 0 ]; then die "missing packages: $* (run as root, or: sudo apt-get install -y $*)"; fi
  command -v apt-get >/dev/null 2>&1 || die "missing packages: $* and no apt-get here: install them by hand"
  if [ "$apt_updated" = 0 ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    apt_updated=1
  fi
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Sets KAFKA_LIBS to a directory holding the broker's jars (java + Maven installed when missing; the jars
# are fetched once from Maven Central with infra/kafka/pom.xml and cached under LIVE_GIFT_CACHE).
kafka_jars() {
  command -v java >/dev/null 2>&1 || apt_install openjdk-17-jre-headless
  KAFKA_LIBS="$CACHE/kafka-$KAFKA_VERSION/libs"
  [ -f "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" ] && return 0
  command -v mvn >/dev/null 2>&1 || apt_install maven
  mkdir -p "$(dirname "$KAFKA_LIBS")"
  # One fetch at a time (scripts/infra and scripts/kafka-cluster may both get here): the second waits, then
  # finds the jars.
  exec 9>"$KAFKA_LIBS.lock"
  flock 9
  if [ ! -f "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" ]; then
    log "kafka: fetching Apache Kafka $KAFKA_VERSION jars from Maven Central into $KAFKA_LIBS"
    local tmp="$KAFKA_LIBS.tmp.$$"
    mvn -q -B -f "$ROOT/infra/kafka/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$tmp" -DincludeScope=runtime || { rm -rf "$tmp"; die "kafka: Maven could not fetch the broker jars"; }
    rm -rf "$KAFKA_LIBS"; mv "$tmp" "$KAFKA_LIBS"
  fi
  flock -u 9; exec 9>&-
}

# The JVM options of a broker (and of its StorageTool): log4j to <log file>, heap as given.
kafka_java_opts() { # log_file heap_min heap_max
  KAFKA_JAVA_OPTS=(-Xms"$2" -Xmx"$3" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError
    -Djava.awt.headless=true -Dlog4j.configuration="file:$ROOT/infra/kafka/log4j.properties" -Dkafka.logs.file="$1")
}

# Formats a KRaft log dir once (StorageTool, in the kafka_2.13 jar) with the given cluster id.
kafka_format() { # server.properties cluster_id log_file
  java -cp "$KAFKA_LIBS/*" "${KAFKA_JAVA_OPTS[@]}" kafka.tools.StorageTool format -t "$2" -c "$1" >"$3" 2>&1 \
    || { cat "$3"; die "kafka: formatting the KRaft storage failed ($1)"; }
}

kafka_random_uuid() {
  java -cp "$KAFKA_LIBS/*" "${KAFKA_JAVA_OPTS[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1
}

# Prints the node ids of the brokers in the cluster metadata, one a line (a real metadata request, via
# kafkajs when installed; without it, "open" when the first port accepts connections). Fails when none answers.
kafka_broker_ids() { # host:port[,host:port...]
  if [ -d "$ROOT/node_modules/kafkajs" ]; then
    (cd "$ROOT" && node -e "
      const { Kafka, logLevel } = require('kafkajs');
      const brokers = process.argv[1].split(',');
      const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING, connectionTimeout: 1000, retry: { retries: 0 } }).admin();
      admin.connect().then(() => admin.describeCluster())
        .then((c) => { console.log(c.brokers.map((b) => b.nodeId).sort().join('\n')); return admin.disconnect(); })
        .then(() => process.exit(0), () => process.exit(1));
      setTimeout(() => process.exit(1), 5000);" "$1")
  else
    local first="${1%%,*}"
    port_open "${first%:*}" "${first##*:}" && echo open
  fi
}
