#include "scorer/dimensions/windowed_dimension.h"

#include "absl/strings/str_cat.h"
#include "scorer/dimensions/text.h"

namespace vitals::scorer {

std::string NotEnoughDataReason(const EvalContext& ctx, bool waits_for_warmup,
                                std::string_view no_data) {
  if (!waits_for_warmup || !ctx.warming_up()) return std::string(no_data);
  return absl::StrCat(
      "warming up: restarted ", Ago(static_cast<double>(ctx.window_end_ms - ctx.restart_at_ms())),
      ", judged again from ",
      Duration(static_cast<double>(ctx.settled_since_ms() - ctx.window_end_ms)), " from now");
}

}  // namespace vitals::scorer
