#include "test/unit/common/http/auth/test_credentials.h"

#include <crypt.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace vitals::http::testing {

std::string BcryptHash(const std::string& password, const std::string& prefix) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn(prefix.c_str(), 4, nullptr, 0, salt, sizeof(salt)) == nullptr) return {};
  crypt_data data{};
  const char* hash = crypt_rn(password.c_str(), salt, &data, sizeof(data));
  return hash == nullptr ? std::string() : std::string(hash);
}

ScratchDir::ScratchDir() {
  std::string pattern = "/tmp/vitals-auth-XXXXXX";
  if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

std::string ScratchDir::Write(const std::string& name, const std::string& text) const {
  const std::string file = absl::StrCat(path_, "/", name);
  std::ofstream(file) << text;
  return file;
}

CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.out.append(buffer, n);
  const int status = pclose(pipe);
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

bool MakeSelfSignedCertificate(const ScratchDir& dir) {
  const CommandResult made = RunCommand(absl::StrCat(
      VITALS_OPENSSL, " req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes",
      " -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1", " -keyout ", dir.path(),
      "/key.pem -out ", dir.path(), "/cert.pem 2>&1"));
  return made.code == 0;
}

}  // namespace vitals::http::testing
