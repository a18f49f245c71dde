// Secret Kafka properties stay out of what the Kafka layer prints: property
// errors (librdkafka quotes some refused values) and librdkafka's own log
// lines, `debug=conf` included.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "common/kafka/producer.h"
#include "common/kafka/properties.h"
#include "test/support/stderr/stderr_capture.h"

namespace vitals::kafka {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(KafkaSecretsTest, KnowsLibrdkafkasCredentialProperties) {
  for (const char* key : {"sasl.password", "ssl.key.password", "ssl.keystore.password",
                          "sasl.oauthbearer.client.secret", "ssl.key.pem"}) {
    EXPECT_TRUE(IsSecretProperty(key)) << key;
  }
  EXPECT_FALSE(IsSecretProperty("bootstrap.servers"));
  EXPECT_FALSE(IsSecretProperty("sasl.password_file"));
}

TEST(KafkaSecretsTest, RedactReplacesEveryRegisteredValueLongestFirst) {
  RegisterSecret("");  // ignored: it would match everywhere
  RegisterSecret("tiger");
  RegisterSecret("tiger-and-lion");
  EXPECT_EQ(Redact("a tiger-and-lion, a tiger"), "a [redacted], a [redacted]");
  EXPECT_EQ(Redact("nothing here"), "nothing here");
}

TEST(KafkaSecretsTest, PropertyErrorsNeverQuoteASecret) {
  // A secret in the wrong property: librdkafka quotes a refused value of an
  // enumerated property (`Invalid value "…" for configuration property`).
  RegisterSecret("file-kept-secret-1");
  absl::Status s = ValidateProperties({{"security.protocol", "file-kept-secret-1"}});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("security.protocol"));
  EXPECT_THAT(std::string(s.message()), Not(HasSubstr("file-kept-secret-1")));
  // A secret property's own value is registered by the validation itself.
  s = ValidateProperties({{"sasl.password", "inline-secret-2"}, {"debug", "inline-secret-2"}});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("[redacted]"));
  EXPECT_THAT(std::string(s.message()), Not(HasSubstr("inline-secret-2")));
}

TEST(KafkaSecretsTest, LibrdkafkaLogLinesNeverCarryASecret) {
  // client.id is printed by librdkafka's configuration dump; a value read
  // from a *_file key is registered and so redacted even there.
  RegisterSecret("client-id-from-a-file-3");
  vitals::testing::StderrCapture capture;
  {
    auto producer = KafkaProducer::Create({{"bootstrap.servers", "127.0.0.1:1"},
                                           {"debug", "conf,security"},
                                           {"client.id", "client-id-from-a-file-3"},
                                           {"sasl.password", "sasl-secret-4"},
                                           {"ssl.key.password", "key-secret-5"},
                                           {"ssl.keystore.password", "keystore-secret-6"}},
                                          [](const DeliveryReport&) {});
    ASSERT_TRUE(producer.ok()) << producer.status();
  }
  const std::string err = capture.Stop();
  EXPECT_THAT(err, HasSubstr("client.id = [redacted]"));
  for (const char* secret :
       {"client-id-from-a-file-3", "sasl-secret-4", "key-secret-5", "keystore-secret-6"}) {
    EXPECT_THAT(err, Not(HasSubstr(secret)));
  }
}

}  // namespace
}  // namespace vitals::kafka
