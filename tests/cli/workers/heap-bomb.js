export default {
  fetch() {
    const hoard = [];
    for (;;) hoard.push({ text: "x".repeat(256) + hoard.length });
  },
};
