#include "engine_rows.h"

#include <algorithm>

#include "engine_simd.h"

namespace grokcheck {

namespace {

PositionRows per_example(const int32_t* tokens, int n, int t, int offset) {
  PositionRows p;
  p.count = n;
  p.offset = offset;
  p.token.resize(n);
  for (int b = 0; b < n; b++) p.token[b] = tokens[long(b) * kPositions + t];
  return p;
}

PositionRows by_token(const int32_t* tokens, int n, int t, int vocab, int offset) {
  PositionRows p;
  p.keyed = true;
  p.offset = offset;
  // Rows in ascending token order: mark the tokens present, number them, then bucket the examples (a counting
  // sort, so each row's examples stay in ascending order).
  std::vector<int32_t> row_of_token(vocab, -1);
  for (int b = 0; b < n; b++) row_of_token[tokens[long(b) * kPositions + t]] = 0;
  for (int v = 0; v < vocab; v++)
    if (row_of_token[v] == 0) {
      row_of_token[v] = p.count++;
      p.token.push_back(v);
    }
  p.row_of.resize(n);
  p.member_start.assign(p.count + 1, 0);
  for (int b = 0; b < n; b++) {
    p.row_of[b] = row_of_token[tokens[long(b) * kPositions + t]];
    p.member_start[p.row_of[b] + 1]++;
  }
  for (int r = 0; r < p.count; r++) p.member_start[r + 1] += p.member_start[r];
  p.members.resize(n);
  std::vector<int32_t> fill(p.member_start.begin(), p.member_start.end() - 1);
  for (int b = 0; b < n; b++) p.members[fill[p.row_of[b]]++] = b;
  return p;
}

void set_offsets(RowSet& rows) {
  rows.total = 0;
  for (auto& p : rows.pos) {
    p.offset = rows.total;
    rows.total += p.count;
  }
}

}  // namespace

RowSet token_rows(const int32_t* tokens, int n, unsigned positions, int vocab, bool keyed) {
  RowSet rows;
  for (int t = 0; t < kPositions; t++)
    if (positions & (1u << t)) rows.pos[t] = keyed ? by_token(tokens, n, t, vocab, 0) : per_example(tokens, n, t, 0);
  set_offsets(rows);
  return rows;
}

RowSet stream_rows(const RowSet& before, int n, unsigned positions) {
  RowSet rows;
  for (int t = 0; t < kPositions; t++) {
    if (!(positions & (1u << t))) continue;
    if (t == 0) rows.pos[0] = before.pos[0];
    else rows.pos[t].count = n;
  }
  set_offsets(rows);
  return rows;
}

void sum_into_rows(ThreadPool& pool, float* dst, long ld_dst, const PositionRows& rows, const float* src, long ld_src,
                   int width, bool accumulate) {
  pool.run_ranges(rows.count, 16, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      float* d = dst + (rows.offset + r) * ld_dst;
      const int32_t* first = rows.keyed ? rows.members.data() + rows.member_start[r] : nullptr;
      const int32_t* last = rows.keyed ? rows.members.data() + rows.member_start[r + 1] : nullptr;
      for (int j = 0; j < width; j += simd::kLanes) {
        const int w = std::min(simd::kLanes, width - j);
        simd::F16 acc = accumulate ? simd::load_n(d + j, w) : simd::zero();
        if (!rows.keyed) {
          acc = acc + simd::load_n(src + r * ld_src + j, w);
        } else {
          simd::F16 sum = simd::zero();
          for (const int32_t* b = first; b != last; b++) sum = sum + simd::load_n(src + *b * ld_src + j, w);
          acc = acc + sum;
        }
        simd::store_n(d + j, acc, w);
      }
    }
  });
}

}  // namespace grokcheck
