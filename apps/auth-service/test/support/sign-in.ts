// Moved to libs/testing, where the conformance suite's tests use it too.
export { approve, approveDevice } from '@gateway/testing';
