// Which rows an activation tensor holds, and how examples map onto them.
//
// The model reads three positions; causality decides what each row can depend on:
//  - before the first attention, the residual stream at position t is a function of the token at t alone;
//  - position 0 is a function of the token at position 0 alone at every depth (it only ever attends to itself);
//  - positions 1 and 2 after an attention depend on the whole prefix, i.e. on the example.
// So a tensor keeps, per position, either one row per example or one row per distinct token ("keyed" rows).
// In a batch of 512 from a 98-token vocabulary that turns block 0's LayerNorm and Q/K/V projections from 1536
// rows into ~195, and position 0 from 512 rows into <= 98 all the way up, computing the same function.
//
// Rows are position-major: every row of position 0, then position 1, then position 2. Keyed rows are in
// ascending token order, so the layout depends only on the tokens. Gradients flowing from examples into keyed
// rows are summed per row over its examples in ascending order (sum_into_rows): deterministic.
#pragma once

#include <cstdint>
#include <vector>

#include "engine_pool.h"

namespace grokcheck {

constexpr int kPositions = 3;  // [a, b, separator]

struct PositionRows {
  int count = 0;   // rows of this position; 0 when the position is absent
  int offset = 0;  // index of its first row in the tensor
  bool keyed = false;
  std::vector<int32_t> token;  // token of each row (set by token_rows, for the embedding)
  // Keyed rows only: example -> row within the position, and the examples of each row in ascending order
  // (members[member_start[r] .. member_start[r + 1])).
  std::vector<int32_t> row_of, member_start, members;

  bool present() const { return count > 0; }
  // The tensor row holding example b at this position.
  int row(long b) const { return offset + (keyed ? row_of[b] : int(b)); }
};

struct RowSet {
  PositionRows pos[kPositions];
  int total = 0;
  // First and one-past-last row of positions [first, last], which are contiguous.
  int span_begin(int first) const { return pos[first].offset; }
  int span_end(int last) const { return pos[last].offset + pos[last].count; }
};

// Rows of the embedding output for `positions` (bit t set: position t present): keyed by token when `keyed`,
// else one per example.
RowSet token_rows(const int32_t* tokens, int n, unsigned positions, int vocab, bool keyed);
// Rows after an attention block, for `positions`: position 0 exactly as in `before` (keyed or not), positions
// 1 and 2 one per example.
RowSet stream_rows(const RowSet& before, int n, unsigned positions);

// dst[r] (= or +=) sum of src[b * ld_src] over the examples b of row r, for every row r of `rows`
// (one example per row when the position is not keyed); `width` floats per row, rows of dst `ld_dst` apart,
// starting at row rows.offset.
void sum_into_rows(ThreadPool& pool, float* dst, long ld_dst, const PositionRows& rows, const float* src, long ld_src,
                   int width, bool accumulate);

}  // namespace grokcheck
