#pragma once

// A list of receiver types (receiver.h says what each provides) as the
// gateway uses it: their options as one config section each, and the
// receivers that are enabled, in the list's order.

#include <memory>
#include <tuple>
#include <vector>

#include "common/config/keys.h"
#include "gateway/receivers/receiver.h"

namespace vitals::gateway {

template <typename... Rs>
class ReceiverRegistry {
 public:
  // Every registered receiver's options.
  class Options {
   public:
    template <typename R>
    typename R::Options& of() {
      return std::get<typename R::Options>(options_);
    }
    template <typename R>
    const typename R::Options& of() const {
      return std::get<typename R::Options>(options_);
    }

   private:
    std::tuple<typename Rs::Options...> options_;
  };

  // One section per receiver, named by its kSection.
  static void DeclareKeys(config::Keys& keys, Options& options) {
    (keys.Section(Rs::kSection, &options.template of<Rs>(), &Rs::DeclareKeys), ...);
  }

  // The enabled receivers, in the list's order.
  static std::vector<std::unique_ptr<Receiver>> Make(const Options& options,
                                                     const ReceiverContext& context) {
    std::vector<std::unique_ptr<Receiver>> receivers;
    (MakeIfEnabled<Rs>(options.template of<Rs>(), context, &receivers), ...);
    return receivers;
  }

 private:
  template <typename R>
  static void MakeIfEnabled(const typename R::Options& options, const ReceiverContext& context,
                            std::vector<std::unique_ptr<Receiver>>* out) {
    if (R::Enabled(options)) out->push_back(std::make_unique<R>(options, context));
  }
};

}  // namespace vitals::gateway
