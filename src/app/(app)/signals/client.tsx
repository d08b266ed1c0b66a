/** The signals page's client parts: the publish form and the provider's signal book (in ./_components). */
export { PublishForm } from "./_components/publish-form";
export { SignalBook } from "./_components/signal-book";
