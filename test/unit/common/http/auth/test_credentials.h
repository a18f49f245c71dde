#pragma once

// What the auth tests need from outside the code under test: bcrypt
// hashes made by libcrypt itself, a scratch directory, and a self-signed
// certificate made by the openssl tool.

#include <string>

namespace vitals::http::testing {

// A bcrypt hash of `password` with `prefix` ("$2b$" or "$2y$") at the
// lowest cost (4), so that tests stay fast.
std::string BcryptHash(const std::string& password, const std::string& prefix = "$2b$");

// A fresh directory under /tmp, removed with its files on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  // Writes `text` to path()/name and returns the file's path.
  std::string Write(const std::string& name, const std::string& text) const;

 private:
  std::string path_;
};

// Writes a self-signed certificate for 127.0.0.1 and its key into `dir`
// as cert.pem and key.pem; false if the openssl tool failed.
bool MakeSelfSignedCertificate(const ScratchDir& dir);

// Runs a shell command; its exit code and standard output.
struct CommandResult {
  int code = -1;
  std::string out;
};
CommandResult RunCommand(const std::string& command);

}  // namespace vitals::http::testing
