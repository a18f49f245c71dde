#include "sim/scrape.h"

#include "sim/prometheus_text.h"

namespace vitals::sim {

RenderStats RenderScrapes(const Fleet& fleet, std::vector<ScrapeBody>* out, int only_node) {
  RenderStats stats;
  size_t used = 0;
  for (const FlinkCluster& cluster : fleet.flink_clusters()) {
    for (size_t p = 0; p < cluster.processes.size(); ++p) {
      const SimProcess& process = cluster.processes[p];
      if (only_node >= 0 && process.node != only_node) continue;
      ScrapeBody& scrape = ReuseSlot(out, used++);
      scrape.node = fleet.nodes()[process.node];
      scrape.flink_cluster = cluster.index;
      scrape.process = static_cast<int>(p);
      scrape.job = cluster.jobs.front();
      scrape.host = process.host;
      scrape.pod = process.pod;
      scrape.body.clear();
      stats.samples +=
          AppendPrometheusText(fleet, cluster.index, static_cast<int>(p), &scrape.body);
      stats.bytes += scrape.body.size();
    }
  }
  out->resize(used);
  stats.payloads = used;
  return stats;
}

}  // namespace vitals::sim
