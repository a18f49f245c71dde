#pragma once

// Checks `Authorization: Basic …` against bcrypt hashes (a web config's
// basic_auth_users), with libcrypt doing the bcrypt.
//
// bcrypt is slow on purpose (tens of milliseconds at cost 10), and a
// reporter sends the same credentials every few seconds: a credential
// that verified once is remembered (by a SHA-256 of user, password and
// hash, never in clear) so that it costs a hash lookup afterwards. Wrong
// credentials are never remembered and always cost a bcrypt, including
// for unknown users, so that timing does not tell which users exist.

#include <map>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"

namespace vitals::http {

class BasicAuth {
 public:
  // `users`: name → bcrypt hash, already checked (see web_config.h).
  explicit BasicAuth(std::map<std::string, std::string> users);

  // True when `authorization` (the header's value) is `Basic` with a known
  // user and that user's password. Thread-safe.
  bool Allows(std::string_view authorization) const ABSL_LOCKS_EXCLUDED(mu_);

  // True when `user` is known and `password` is that user's.
  bool AllowsUser(const std::string& user, const std::string& password) const
      ABSL_LOCKS_EXCLUDED(mu_);

  // Credentials that verified and are remembered; for tests.
  size_t remembered() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  std::map<std::string, std::string, std::less<>> users_;
  mutable absl::Mutex mu_;
  mutable absl::flat_hash_set<std::string> verified_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vitals::http
