#!/usr/bin/env bash
# hostile.sh INFERGATE DATADIR CASE [BACKEND] — one hostile input (issue 11's findings
# and others of their kinds, made by tests/data/hostile/gen.py) through
# `infergate infer` on BACKEND (default: the reference).  A refused input must end with
# exit 2 and exactly one stderr line that names the file at fault and
# carries the expected text; an input that is legal but extreme must run
# (exit 0) with no output on stderr.  A crash, a sanitizer report or a hang
# fails the case (ctest's TIMEOUT bounds it).
set -u
ig=$1
data=$2
case_name=$3
backend=${4:-reference}
src=$data/$case_name
[ "$case_name" = nested_if_20_raised ] && src=$data/nested_if_20
case $case_name in input_fifo|model_fifo) src=$data/input_negative_dim ;; esac
[ -d "$src" ] || { echo "no case folder $src"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -R "$src" "$tmp/case"
d=$tmp/case
m=$d/model.onnx
x=$d/input_0.pb
want_rc=2 want_file=$m limits=()
case $case_name in
  init_dims_2p62|init_dims_2p32x2) want="dims whose element count or byte size overflows" ;;
  init_claims_6gb) want="holds 0 values, expected 1500000000" ;;
  init_claims_1tb) want="raw_data has 8 bytes, expected 1099511627776" ;;
  input_dims_2p62) want_file=$x want="dims whose element count or byte size overflows" ;;
  input_claims_6gb) want_file=$x want="holds 0 values, expected 1500000000" ;;
  input_claims_1tb) want_file=$x want="holds 0 values, expected 274877906944" ;;
  input_negative_dim) want_file=$x want="negative dim -3" ;;
  nested_if_3000|nested_if_20) want="nest deeper than max-graph-depth (16" ;;
  nested_if_20_raised) ;;
  pool_empty_input_*) want="input X is missing" ;;
  conv_pads_2p62|maxpool_pads_2p62) want="attribute pads[0] = 4611686018427387904 is above" ;;
  conv_strides_0) want="attribute strides[0] = 0 is below 1" ;;
  conv_dilations_2p62) want="attribute dilations[0] = 4611686018427387904 is above" ;;
  convtranspose_dilations_2p62) want="attribute dilations[0] = 4611686018427387904" ;;
  convtranspose_outpad_2p62) want="attribute strides[0] = 4611686018427387904" ;;
  depthtospace_blocksize_max|spacetodepth_blocksize_max) want="blocksize 9223372036854775807 is above" ;;
  avgpool_kernel_max) want="kernel size 9223372036854775807" ;;
  maxpool_strides_max) want="attribute strides[0] = 9223372036854775807 is above" ;;
  pad_2p62) want="cannot take pads 4611686018427387904" ;;
  tile_repeats_2p62|expand_2p62|constantofshape_2p62) want="is too large" ;;
  reshape_2p62) want="is too large" ;;
  concat_dims_max) want="they must match except on axis 0" ;;
  concat_sum_overflow) want="the sizes on axis 1 overflow" ;;
  resize_scale_inf) want="scales[2] = inf gives output size inf" ;;
  resize_scale_1e30) want="out of range" ;;
  upsample_scale_inf) want="scales[2] = inf gives output size inf" ;;
  rnn_hidden_max|rnn_hidden_negative|lstm_hidden_2p62|gru_hidden_2p62) want="hidden_size" ;;
  relu_extra_output) want="output 'extra' is not one its op produces" ;;
  range_huge) want="has no finite size" ;;
  col2im_2p62) want="above 2147483647" ;;
  onehot_depth_2p62) want="is not a positive count" ;;
  topk_k_max) want="k 9223372036854775807 is out of range" ;;
  split_sizes_wrap) want="split entry 0 is 9223372036854775807" ;;
  gather_index_min) want="index -9223372036854775808 (at position 0) out of range" ;;
  flatten_axis_min|softmax_axis_max|unsqueeze_axis_min|cumsum_axis_min) want="out of range" ;;
  cast_nan_to_int32) want="element 0 (nan) does not fit int32" ;;
  eyelike_k_max|quantize_scale_nan|quantize_x_nan|tile_zero_dim_overflow|slice_extremes|eyelike_k_min|trilu_k_min|lppool_p_max|lrn_size_max)
    want_rc=0 ;;
  loop_trip_2p62)
    # The default bound (10^6) takes seconds on a sanitizer build: the
    # test lowers it; the refusal is the same.
    limits=(--limits loop-iterations=1000)
    want="control flow ran more than max-loop-iterations (1000" ;;
  declared_input_4tb)
    # `run` generates inputs from the declared shape: the cell fails (exit
    # 1) saying why, on its status line.
    want="cannot generate input 'x' of its declared shape: 4398046511104 bytes exceed max-tensor-bytes" ;;
  node_no_outputs) want="(ConvTranspose, opset 17): the node has no outputs" ;;
  node_output0_omitted) want="(ConvTranspose, opset 17): its first output is omitted" ;;
  limit_initializer)
    limits=(--limits tensor-bytes=128); want="tensor 'w': 256 bytes exceed max-tensor-bytes (128" ;;
  limit_intermediate)
    limits=(--limits tensor-bytes=1K)
    want="output 'y': 4096 bytes exceed max-tensor-bytes (1024" ;;
  limit_nodes)
    limits=(--limits nodes=1); want="more than max-nodes (1) nodes" ;;
  input_fifo)
    rm "$d/input_0.pb"; mkfifo "$d/input_0.pb"; want_file=$x want="not a regular file" ;;
  model_fifo)
    rm "$m"; mkfifo "$m"; want="not a regular file" ;;
  external_dotdot) want="external data location missing or outside the model's folder" ;;
  external_offset_past_end) want="has 4 bytes, too few for 4 bytes at offset 1099511627776" ;;
  external_symlink)
    ln -s /etc/passwd "$d/link.bin"; want="'link.bin' is refused: a symbolic link" ;;
  external_symlink_dir)
    ln -s /etc "$d/up"; want="'up/passwd' is refused: a symbolic link" ;;
  external_proc)
    ln -s /proc/self "$d/p"; want="'p/environ' is refused: a symbolic link" ;;
  external_fifo)
    mkfifo "$d/fifo.bin"; want="'fifo.bin' is refused: not a regular file" ;;
  *) echo "unknown case $case_name"; exit 1 ;;
esac
if [ "$case_name" = nested_if_20_raised ]; then
  # The same 20 levels run once the limit is raised, in well under the
  # test's time limit: control flow is planned once per level, not 2^20
  # times.
  limits=(--limits graph-depth=24)
  want_rc=0
fi
args=("${limits[@]}" infer -b "$backend" -m "$m" -o "$tmp/out")
[ -e "$x" ] && args+=(-i x="$x")
if [ "$case_name" = declared_input_4tb ]; then
  "$ig" run -b "$backend" -m "$d" --suite latency --duration 0.1 --no-progress \
    -o "$tmp/out" > "$tmp/stdout" 2> "$tmp/stderr"
  rc=$?
  cat "$tmp/stdout"
  [ "$rc" -eq 1 ] || { echo "FAIL: exit code $rc, expected 1 (a failed cell)"; exit 1; }
  grep -qF -- "$want" "$tmp/stdout" || { echo "FAIL: the cell's line lacks '$want'"; exit 1; }
  exit 0
fi
"$ig" "${args[@]}" > "$tmp/stdout" 2> "$tmp/stderr"
rc=$?
echo "exit $rc; stderr:"; cat "$tmp/stderr"
fail=0
[ "$rc" -eq "$want_rc" ] || { echo "FAIL: exit code $rc, expected $want_rc"; fail=1; }
n=$(wc -l < "$tmp/stderr")
if [ "$want_rc" -eq 0 ]; then
  [ "$n" -eq 0 ] || { echo "FAIL: $n stderr lines, expected none"; fail=1; }
else
  [ "$n" -eq 1 ] || { echo "FAIL: $n stderr lines, expected 1"; fail=1; }
  grep -qF -- "$want_file: " "$tmp/stderr" || { echo "FAIL: message does not name $want_file"; fail=1; }
  [ -z "$want" ] || grep -qF -- "$want" "$tmp/stderr" ||
    { echo "FAIL: message lacks '$want'"; fail=1; }
  if grep -qF -- "$want_file: $want_file" "$tmp/stderr"; then
    echo "FAIL: the path is repeated"; fail=1
  fi
fi
exit $fail
