#pragma once

// Debian 12's abseil (20220623) has neither RETURN_IF_ERROR nor
// ASSIGN_OR_RETURN; these two are all the project uses.

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define VITALS_CONCAT_INNER_(a, b) a##b
#define VITALS_CONCAT_(a, b) VITALS_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                                                                \
  do {                                                                                       \
    if (::absl::Status vitals_status_ = (expr); !vitals_status_.ok()) return vitals_status_; \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(VITALS_CONCAT_(vitals_statusor_, __LINE__), lhs, expr)

// `tmp` is a generated name and `lhs` may be a declaration (`auto x`): neither
// can take parentheses.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)   \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return std::move(tmp).status(); \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
