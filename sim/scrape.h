#pragma once

// PrometheusReporter scrape bodies: what each Flink process serves on its
// /metrics endpoint (port 9249 by default), for the gateway's scraper.

#include <string>
#include <vector>

#include "sim/fleet.h"
#include "sim/render_stats.h"

namespace vitals::sim {

struct ScrapeBody {
  // Node the process runs on (the gateway that scrapes it).
  std::string node;
  // Index into Fleet::flink_clusters() and into its processes.
  int flink_cluster = 0;
  int process = 0;
  // The first job of the Flink cluster (its only one in application mode):
  // where its cluster label and team come from.
  int job = 0;
  // The process's <host> and pod/container id: a stable target identity
  // until the process is replaced.
  std::string host;
  std::string pod;
  std::string body;
};

// Fills `out` with one body per physical process (reusing its elements);
// with `only_node` >= 0 only the processes placed on that node.
RenderStats RenderScrapes(const Fleet& fleet, std::vector<ScrapeBody>* out, int only_node = -1);

}  // namespace vitals::sim
