// The registry through which the gateway knows its receivers: each listed
// type gets its config section, and is made only when enabled, in order.

#include "gateway/receivers/receiver_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/config/keys.h"
#include "gateway/receivers/receivers.h"
#include "yaml-cpp/yaml.h"

namespace vitals::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct FooOptions {
  bool enabled = true;
  int64_t port = 7;
};

class FooReceiver final : public Receiver {
 public:
  using Options = FooOptions;
  static constexpr std::string_view kSection = "foo";
  static void DeclareKeys(config::Keys& k, Options& o) {
    k.Key("enabled", &o.enabled, "listen");
    k.Key("port", &o.port, "where").Range(1, 65535);
  }
  static bool Enabled(const Options& o) { return o.enabled; }
  FooReceiver(Options options, const ReceiverContext& context) : port_(options.port) {}
  std::string_view component_name() const override { return "foo receiver"; }
  int64_t port() const { return port_; }

 private:
  int64_t port_;
};

struct BarOptions {
  bool enabled = false;
};

class BarReceiver final : public Receiver {
 public:
  using Options = BarOptions;
  static constexpr std::string_view kSection = "bar";
  static void DeclareKeys(config::Keys& k, Options& o) { k.Key("enabled", &o.enabled, "listen"); }
  static bool Enabled(const Options& o) { return o.enabled; }
  BarReceiver(Options, const ReceiverContext&) {}
  std::string_view component_name() const override { return "bar receiver"; }
};

using TwoReceivers = ReceiverRegistry<FooReceiver, BarReceiver>;

void DeclareTwo(config::Keys& k, TwoReceivers::Options& o) { TwoReceivers::DeclareKeys(k, o); }

TEST(ReceiverRegistryTest, EachReceiverIsOneConfigSection) {
  std::vector<std::string> paths;
  for (const config::KeyInfo& key : config::List("gateway", &DeclareTwo)) paths.push_back(key.path);
  EXPECT_THAT(paths, ElementsAre("gateway.foo.enabled", "gateway.foo.port", "gateway.bar.enabled"));

  config::ConfigErrors errors;
  config::YamlMap map(YAML::Load("{foo: {port: 0}, bar: {enabled: true, colour: red}}"), "gateway",
                      &errors);
  TwoReceivers::Options options;
  config::Read(map, &options, &DeclareTwo);
  ASSERT_EQ(errors.errors().size(), 2u);
  EXPECT_THAT(errors.errors()[0], HasSubstr("gateway.foo.port: must be between 1 and 65535"));
  EXPECT_THAT(errors.errors()[1], HasSubstr("gateway.bar.colour: unknown key"));
}

TEST(ReceiverRegistryTest, MakesTheEnabledReceiversInTheListsOrder) {
  TwoReceivers::Options options;
  options.of<FooReceiver>().port = 9;
  std::vector<std::unique_ptr<Receiver>> made = TwoReceivers::Make(options, ReceiverContext{});
  ASSERT_EQ(made.size(), 1u) << "bar is off by default";
  EXPECT_EQ(made[0]->component_name(), "foo receiver");
  EXPECT_EQ(static_cast<FooReceiver*>(made[0].get())->port(), 9);

  options.of<BarReceiver>().enabled = true;
  made = TwoReceivers::Make(options, ReceiverContext{});
  ASSERT_EQ(made.size(), 2u);
  EXPECT_EQ(made[1]->component_name(), "bar receiver");
}

TEST(ReceiverRegistryTest, TheGatewaysReceiversHaveTheirSections) {
  std::vector<std::string> sections;
  for (const config::KeyInfo& key : config::List(
           "gateway",
           +[](config::Keys&k, Receivers::Options&o) { Receivers::DeclareKeys(k, o); })) {
    std::string section = key.path.substr(0, key.path.find('.', sizeof("gateway")));
    if (sections.empty() || sections.back() != section) sections.push_back(section);
  }
  EXPECT_THAT(sections, ElementsAre("gateway.statsd", "gateway.influx", "gateway.scrape"));
}

}  // namespace
}  // namespace vitals::gateway
