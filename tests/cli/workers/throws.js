export default {
  fetch() {
    return helper();
  },
};
function helper() {
  throw new RangeError("out of range on purpose");
}
