#include "daemon/psf/verdict.h"

namespace pvland::psf {

std::string_view ReasonName(Reason r) {
  switch (r) {
#define PVL_PSF_CASE(id, name) \
  case Reason::id:             \
    return name;
    PVL_PSF_REASONS(PVL_PSF_CASE)
#undef PVL_PSF_CASE
    case Reason::kCount:
      break;
  }
  return "?";
}

}  // namespace pvland::psf
