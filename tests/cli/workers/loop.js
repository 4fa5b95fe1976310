export default { fetch() { while (true) {} } };
