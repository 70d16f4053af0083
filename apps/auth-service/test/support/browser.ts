// Moved to libs/testing, where the conformance suite's tests use it too.
export { Browser, formAction, hiddenFields, hiddenInput } from '@gateway/testing';
