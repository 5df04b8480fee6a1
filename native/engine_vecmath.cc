// Builds the erf Taylor table of engine_vecmath.h in double precision, once, when the module loads.
#include "engine_vecmath.h"

#include <cmath>

namespace grokcheck {
namespace vecmath {

namespace {

ErfTable build_erf_table() {
  ErfTable table{};
  const double two_over_sqrt_pi = 1.12837916709551257;
  for (int i = 0; i < 16; i++) {
    const double c = i == 0 ? 0.0 : (i + 0.5) / ErfTable::kIntervalsPerUnit;
    table.center[i] = float(c);
    // Taylor coefficient a_n = erf^(n)(c) / n!, with erf^(n)(c) = (2/sqrt(pi)) (-1)^(n-1) H_(n-1)(c) e^(-c^2)
    // and the recurrence H_0 = 1, H_1 = 2c, H_(k+1) = 2c H_k - 2k H_(k-1).
    double hermite_prev = 0.0, hermite = 1.0;  // H_(-1) (unused), H_0
    double factorial = 1.0;
    const double gauss = std::exp(-c * c);
    table.coef[0][i] = float(std::erf(c));
    for (int n = 1; n <= ErfTable::kDegree; n++) {
      factorial *= n;
      const double sign = (n - 1) % 2 == 0 ? 1.0 : -1.0;
      table.coef[n][i] = float(two_over_sqrt_pi * sign * hermite * gauss / factorial);
      const int k = n - 1;  // advance H_k -> H_(k+1)
      const double next = 2.0 * c * hermite - 2.0 * k * hermite_prev;
      hermite_prev = hermite;
      hermite = next;
    }
  }
  return table;
}

}  // namespace

const ErfTable kErfTable = build_erf_table();

}  // namespace vecmath
}  // namespace grokcheck
