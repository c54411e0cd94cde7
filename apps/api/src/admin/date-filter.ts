/** The staff lists' `from` / `to` filters are defined once, in @sp/core (contracts/date-range.ts). */
export { dateBound, endOf, fromAfterTo, fromNotAfterTo, startOf } from '@sp/core';
