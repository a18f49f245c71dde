#include "gateway/receivers/promtext/line_parser.h"

#include <string>
#include <string_view>

#include "absl/strings/escaping.h"
#include "common/base/strings.h"

namespace vitals::gateway::promtext_internal {

std::string Quoted(std::string_view text) {
  constexpr size_t kMax = 64;
  std::string out = "\"";
  out += absl::CHexEscape(AsAbsl(text.substr(0, kMax)));
  out += text.size() > kMax ? "...\"" : "\"";
  return out;
}

}  // namespace vitals::gateway::promtext_internal
