#pragma once

// The gateway's receivers besides its Pushgateway API (which is the
// gateway's own port and replays its groups at every flush: gateway.cc).
// Adding one: its folder, its header here, and its name in the list.
// The order is the start order; they stop in reverse.

#include "gateway/receivers/influx/receiver.h"
#include "gateway/receivers/receiver_registry.h"
#include "gateway/receivers/scrape/scraper.h"
#include "gateway/receivers/statsd/receiver.h"

namespace vitals::gateway {

using Receivers = ReceiverRegistry<StatsdReceiver, InfluxReceiver, Scraper>;

}  // namespace vitals::gateway
