// What protocol state filtering decides for one TCP segment: pass, or drop with a reason
// token (stable snake_case, like DropReason) and a detail naming the conntrack rule.
#pragma once

#include <cstdint>
#include <string_view>

namespace pvland::psf {

#define PVL_PSF_REASONS(X)                                                                  \
  X(kNone, "")                                  /* passed */                                \
  X(kMalformed, "psf_malformed")                /* TCP header not whole, data offset < 5 */ \
  X(kInvalidFlags, "psf_invalid_flags")         /* flag combination conntrack refuses */    \
  X(kNoState, "psf_no_state")                   /* no entry, and this may not open one */   \
  X(kInvalidState, "psf_invalid_state")         /* the state table marks it invalid */      \
  X(kOutOfWindow, "psf_out_of_window")          /* sequence/ack window checks, invalid RST */ \
  X(kTableFull, "psf_table_full")               /* new entry needed, none can be freed */

enum class Reason : uint8_t {
#define PVL_PSF_ENUM(id, name) id,
  PVL_PSF_REASONS(PVL_PSF_ENUM)
#undef PVL_PSF_ENUM
  kCount
};

// "" for kNone.
std::string_view ReasonName(Reason r);

}  // namespace pvland::psf
