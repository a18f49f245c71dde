#pragma once

// Everything written to file descriptor 2 while a StderrCapture lives: the
// log module's lines and librdkafka's, from any thread. For tests that
// assert what a process must never print (secrets).

#include <unistd.h>

#include <cstdio>
#include <string>

namespace vitals::testing {

class StderrCapture {
 public:
  StderrCapture() {
    std::fflush(stderr);
    saved_ = dup(2);
    file_ = std::tmpfile();
    dup2(fileno(file_), 2);
  }
  ~StderrCapture() {
    if (saved_ >= 0) Stop();
    std::fclose(file_);
  }
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;

  // Restores stderr and returns what was written to it.
  std::string Stop() {
    std::fflush(stderr);
    dup2(saved_, 2);
    close(saved_);
    saved_ = -1;
    std::string text;
    std::rewind(file_);
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof(buf), file_)) > 0;) text.append(buf, n);
    return text;
  }

 private:
  int saved_ = -1;
  std::FILE* file_ = nullptr;
};

}  // namespace vitals::testing
