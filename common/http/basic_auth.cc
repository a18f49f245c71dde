#include "common/http/basic_auth.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cstring>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "common/base/strings.h"

namespace vitals::http {
namespace {

// Remembered credentials are few (one per user and password in use); the
// bound is a safety net, not a cache policy.
constexpr size_t kMaxRemembered = 4096;

std::string Fingerprint(std::string_view user, std::string_view password, std::string_view hash) {
  std::string material;
  material.reserve(user.size() + password.size() + hash.size() + 2);
  material.append(user).push_back('\0');
  material.append(password).push_back('\0');
  material.append(hash);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(material.data()), material.size(), digest);
  OPENSSL_cleanse(material.data(), material.size());
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

bool BcryptMatches(const std::string& password, const std::string& hash) {
  // crypt_data is large (tens of KiB): on the heap, one per call, so
  // that concurrent checks need no lock.
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_rn(password.c_str(), hash.c_str(), data.get(), sizeof(*data));
  if (out == nullptr) return false;
  const size_t n = std::strlen(out);
  const bool same = n == hash.size() && CRYPTO_memcmp(out, hash.data(), n) == 0;
  OPENSSL_cleanse(data.get(), sizeof(*data));
  return same;
}

}  // namespace

BasicAuth::BasicAuth(std::map<std::string, std::string> users)
    : users_(users.begin(), users.end()) {}

bool BasicAuth::Allows(std::string_view authorization) const {
  if (users_.empty()) return false;
  // RFC 7617: the scheme is case-insensitive, then one space.
  constexpr absl::string_view kScheme = "basic ";
  if (authorization.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(AsAbsl(authorization.substr(0, kScheme.size())), kScheme)) {
    return false;
  }
  std::string decoded;
  if (!absl::Base64Unescape(AsAbsl(authorization.substr(kScheme.size())), &decoded)) return false;
  const size_t colon = decoded.find(':');
  if (colon == std::string::npos) return false;
  const std::string user = decoded.substr(0, colon);
  const std::string password = decoded.substr(colon + 1);
  OPENSSL_cleanse(decoded.data(), decoded.size());
  return AllowsUser(user, password);
}

bool BasicAuth::AllowsUser(const std::string& user, const std::string& password) const {
  if (users_.empty()) return false;
  const auto it = users_.find(user);
  const bool known = it != users_.end();
  // An unknown user is checked against some user's hash all the same, so
  // that it takes as long as a wrong password.
  const std::string& hash = known ? it->second : users_.begin()->second;
  const std::string fingerprint = Fingerprint(user, password, hash);
  {
    absl::MutexLock lock(&mu_);
    if (known && verified_.contains(fingerprint)) return true;
  }
  const bool matches = BcryptMatches(password, hash) && known;
  if (matches) {
    absl::MutexLock lock(&mu_);
    if (verified_.size() >= kMaxRemembered) verified_.clear();
    verified_.insert(fingerprint);
  }
  return matches;
}

size_t BasicAuth::remembered() const {
  absl::MutexLock lock(&mu_);
  return verified_.size();
}

}  // namespace vitals::http
