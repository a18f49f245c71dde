// The basic-auth check against bcrypt hashes made by libcrypt: right and
// wrong passwords, unknown users, malformed headers (RFC 7617), and the
// memory of credentials that verified.

#include "common/http/basic_auth.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/strings/escaping.h"
#include "test/unit/common/http/auth/test_credentials.h"

namespace vitals::http {
namespace {

std::string Basic(const std::string& user_and_password) {
  return "Basic " + absl::Base64Escape(user_and_password);
}

TEST(BasicAuthTest, RightPasswordOnlyAndEveryBcryptPrefix) {
  const BasicAuth auth({{"flink", testing::BcryptHash("s3cret:with colon", "$2b$")},
                        {"ops", testing::BcryptHash("other", "$2y$")}});
  // The password may hold ':'; the user name ends at the first one.
  EXPECT_TRUE(auth.Allows(Basic("flink:s3cret:with colon")));
  EXPECT_TRUE(auth.Allows(Basic("ops:other")));
  EXPECT_FALSE(auth.Allows(Basic("flink:s3cret")));
  EXPECT_FALSE(auth.Allows(Basic("ops:s3cret:with colon")));  // another user's password
  EXPECT_FALSE(auth.Allows(Basic("nobody:other")));
  EXPECT_FALSE(auth.Allows(Basic("flink:")));
}

TEST(BasicAuthTest, MalformedHeadersAreRefused) {
  const BasicAuth auth({{"flink", testing::BcryptHash("pw")}});
  EXPECT_TRUE(auth.Allows("bAsIc " + absl::Base64Escape("flink:pw")));  // scheme: any case
  EXPECT_FALSE(auth.Allows(""));
  EXPECT_FALSE(auth.Allows("Basic "));
  EXPECT_FALSE(auth.Allows("Bearer " + absl::Base64Escape("flink:pw")));
  EXPECT_FALSE(auth.Allows("Basic !!!not-base64"));
  EXPECT_FALSE(auth.Allows(Basic("flinkpw")));  // no ':'
  EXPECT_FALSE(auth.Allows("Basicx" + absl::Base64Escape("flink:pw")));
}

TEST(BasicAuthTest, OnlyVerifiedCredentialsAreRemembered) {
  const BasicAuth auth({{"flink", testing::BcryptHash("pw")}});
  EXPECT_FALSE(auth.Allows(Basic("flink:wrong")));
  EXPECT_EQ(auth.remembered(), 0u);
  EXPECT_TRUE(auth.Allows(Basic("flink:pw")));
  EXPECT_TRUE(auth.Allows(Basic("flink:pw")));
  EXPECT_EQ(auth.remembered(), 1u);
  // A remembered credential does not open the door to a different one.
  EXPECT_FALSE(auth.Allows(Basic("flink:pw2")));
}

TEST(BasicAuthTest, NoUsersAllowsNobody) {
  const BasicAuth auth({});
  EXPECT_FALSE(auth.Allows(Basic("flink:pw")));
}

}  // namespace
}  // namespace vitals::http
